"""The demo world `manage.py seed_demo` builds, one module per part, in the order it calls them:
people (accounts, customers, the internal team), gardens, activity (history, offline events,
alerts), discussions, ideas and pilots (with the catalogue of what they say, the participants
who act in them and the timeline their actions are dated on), harvests, outcomes, pilot
outcomes, the expectation drift's trials and recognition. Everything is drawn from seeded
`random.Random`s: the same arguments give the same rows."""
