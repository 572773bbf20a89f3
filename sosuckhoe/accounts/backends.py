"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.places.cache import tree_cached
from sosuckhoe.places.models import AdminUnit


class StaffBackend(ModelBackend):
    """Django's model backend, giving the member of staff their unit from the cache: every
    request of theirs reads the unit (the scope of what they see, the audit rows)."""

    def get_user(self, user_id: int) -> StaffUser | None:
        # The user row itself is read on every request, so that a deactivated account or a
        # changed password ends its sessions at once; joining the unit cost more than the
        # row (Django compiles the join on every request), and units change only when loaded.
        user = StaffUser.objects.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        unit_id = user.unit_id
        user.unit = tree_cached(f"places:unit:{unit_id}", lambda: AdminUnit.objects.get(pk=unit_id))
        return user
