"""Balcão's domain and its adapters to AWS. Only this package and app.py are deployed."""
