"""Notifications for agents: the bell in the desk (in-app now), e-mail through the outbox."""
