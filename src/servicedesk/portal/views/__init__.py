"""The customer portal's views. Each module owns its URL patterns; all of them are wrapped in contact_required and
read tickets only through Ticket.objects.visible_to(request.user)."""
