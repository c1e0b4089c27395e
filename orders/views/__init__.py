"""Storefront order pages, one module per audience: cart, checkout, history, staff."""
