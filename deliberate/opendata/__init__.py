"""Open data: a place's proposals, events, plans, works, meetings and votes as CSV and JSON, for a period."""
