"""What apps that derive something from a person's doses (a certificate) must hear, sent by
the dose services inside their transaction: vaccination knows nothing of those apps, which
connect in their `ready()`."""

from django.dispatch import Signal

# The valid doses of these persons changed: recorded, voided or renumbered. Arguments:
# actor, person_ids.
doses_changed = Signal()
