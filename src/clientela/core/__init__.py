"""The shared kernel: base templates and components, health check, the run and demo commands."""
