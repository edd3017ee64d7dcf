"""The local stack: Balcão on one machine, no AWS account, no Docker. Not deployed."""
