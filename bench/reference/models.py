from django.db import models


class Person(models.Model):
    """A few columns of the application's persons, read where the application keeps them."""

    full_name = models.CharField(max_length=120)
    birth_year = models.PositiveSmallIntegerField()

    class Meta:
        managed = False
        db_table = "people_person"

    def __str__(self) -> str:
        return self.full_name


class StaffUser(models.Model):
    """The columns of the application's staff that its API reads to authenticate a key."""

    username = models.CharField(max_length=150)
    is_active = models.BooleanField()
    unit_id = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "accounts_staffuser"

    def __str__(self) -> str:
        return self.username

    @property
    def is_authenticated(self) -> bool:
        return True


class ApiToken(models.Model):
    """The application's API keys (their hash), read the way its TokenAuthentication does."""

    user = models.ForeignKey(StaffUser, on_delete=models.DO_NOTHING)
    digest = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "api_apitoken"

    def __str__(self) -> str:
        return self.digest[:8]
