"""Renders of an incident's state for people: the incident page, dashboards, briefs, reviews."""
