"""What apps that keep something derived from a person's record (the rollups' counts, later a
certificate's name) must hear, sent by the people services inside their transaction, with
the rows locked: people knows nothing of those apps, which connect in their `ready()`."""

from django.dispatch import Signal

# The records of the person `before` (its pk) are about to count as the person `after`
# describes (the same pk): a move, a correction of the birth or sex, or a duplicate's records
# folded into the kept person by a merge. Arguments: actor, before, after.
person_recounted = Signal()

# These persons' records changed and are written: an update, or a merge once the duplicate's
# records moved to the kept person (both are named). Arguments: actor, person_ids.
persons_changed = Signal()

# A duplicate is about to be merged into the kept person: what may exist only once per person
# (a current certificate) must be let go before the duplicate's records move. Arguments: actor,
# keep, duplicate.
person_merging = Signal()
