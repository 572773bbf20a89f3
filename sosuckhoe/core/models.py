from django.db import models


class SubmissionKey(models.Model):
    """One form submission that created a record: a second submission of the same form (a
    double click, a resent request) finds the record instead of making another."""

    key = models.UUIDField(primary_key=True)
    result_uuid = models.UUIDField()
    # Who sent it (`Actor.name`): a key replayed by anyone else finds nothing.
    owner = models.CharField(max_length=160, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.key)
