"""The service desk: tickets routed to departments, answered within their SLA."""
