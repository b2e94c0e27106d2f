"""Servicedesk: an open-source service desk for IT-services companies."""
