"""Writes of the orders app, one module per area: catalogue, cart, checkout, payments, lifecycle, invoices, lab."""
