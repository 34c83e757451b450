"""How residents and staff take part.

Modules
-------
residents
    The residents' page rules besides the store: submission limit, anti-bot field,
    workshop links and their open vote, needs nearby (nearest first), "Ich auch" once per
    browser, "Problem melden" once per session.
submission
    One send of the residents' form: honeypot, whose limit (a resident's, a workshop's
    table device's or facilitator's), published or pending, the stored need or each
    message of a refusal and where it belongs.
places
    Where a resident's need is: a map click or the area lists, as one place;
    the areas' names and what the map draws of the place.
limits
    Sliding-window limits kept in the database, so every app process counts together.
auth
    Roles, staff accounts, sign-in and which role may open which page.
oidc_setup
    Whether single sign-on can work with the secrets as they are: each problem
    of ``[auth]`` and the role mapping, named with its fix.
moderation
    The queue of new needs and every decision on them, each one audited.
workshops
    Workshops: a room pins needs together, then distributes dots on them.
workshop_report
    A workshop's results: focus area, exports of its needs and dots, a one-page summary.
retention
    The retention job: delete or anonymise what has been kept long enough.
"""
