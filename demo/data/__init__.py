"""The demo world `manage.py seed_demo` builds, one module per part, in the order it calls them:
people (accounts, customers, the internal team), gardens, activity (history, offline events,
alerts), discussions, ideas (with the catalogue of what they say), harvests, outcomes, pilot
outcomes and recognition. Everything is drawn from seeded `random.Random`s: the same arguments
give the same rows."""
