"""The HTTP routes, one Chalice blueprint per area, registered by app.py. Each view is thin: it reads
the request, calls one domain function and shapes the response."""
