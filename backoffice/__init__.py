"""The staff back office: the admin site with its home dashboard and the menu of staff pages."""
