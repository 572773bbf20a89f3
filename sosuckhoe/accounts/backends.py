"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend

from sosuckhoe.accounts.models import StaffUser


class StaffBackend(ModelBackend):
    """Django's model backend, loading the member of staff with their unit in one query:
    every request of theirs reads the unit (the scope of what they see, the audit rows)."""

    def get_user(self, user_id: int) -> StaffUser | None:
        user = StaffUser.objects.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
