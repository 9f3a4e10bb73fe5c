"""Orders from placement to delivery: products, prices, stock, invoices, shipments."""
