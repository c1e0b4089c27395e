"""Order writes, split by sub-domain: cart, checkout, quick order, templates, reorder, documents.

Every surface that shows a price, a fee or a violation gets it from ``cart.evaluate_cart``.
"""
