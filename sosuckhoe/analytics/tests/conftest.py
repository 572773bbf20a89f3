"""Analytics tests play with the root cast and the vaccination tests' fixtures."""

from sosuckhoe.vaccination.tests.conftest import (  # noqa: F401  (fixtures)
    answers,
    comirnaty,
    group,
    make_session,
    reference,
    reference_rows,
    screened,
    site,
    site_b,
    stock,
)
