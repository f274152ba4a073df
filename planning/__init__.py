"""Running the year in the app's own pages: the plan's structure, the new plan from last year,
approval, variations, acts and the closing with the Assemblea's destination of the avanzo.

A feature app: it composes the domain apps' services and selectors; the rules stay there.
"""
