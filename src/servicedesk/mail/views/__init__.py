"""Desk pages of the e-mail channel; each module owns its URL patterns (mounted under /desk/mail/)."""
