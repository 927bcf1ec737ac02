"""Help requests: a student asks to talk to someone, or tells of a worry about someone.

Apart from the survey by construction: tables of their own (``climate.models.help``), no
key, code, cookie or session shared with a response, no time finer than a day. A random
request code, shown once, lets the student read replies and answer. The school's named
readers see their schools' requests in a triage queue; the people on duty get an e-mail that
a request is waiting (never its words), and a request not seen by the promised time is
escalated. Closed requests are purged after the district's retention time. Off until the
district's help file (``CLIMATE_HELP_REQUESTS``) names who reads the queue and when.
"""
