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
