import datetime as dt
import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role, StaffUser
from sosuckhoe.accounts.services import staff_create
from sosuckhoe.analytics.models import ReportKind
from sosuckhoe.analytics.overdue import overdue_count
from sosuckhoe.analytics.planning import shipment_record
from sosuckhoe.analytics.subscriptions import subscription_create
from sosuckhoe.analytics.targets import targets_seed_from_persons
from sosuckhoe.analytics.warning_services import warnings_run
from sosuckhoe.analytics.warnings_demo import warnings_demo_prepare
from sosuckhoe.certificates.models import SignerKey
from sosuckhoe.certificates.services import certificate_issue, signer_create
from sosuckhoe.people.jobs import population_job_create, population_job_run
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.selectors import country_root, province_by_code
from sosuckhoe.places.services import commune_stations_ensure
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.corrections_demo import corrections_demo_prepare
from sosuckhoe.vaccination.generator import campaign_generate
from sosuckhoe.vaccination.models import Dose

DEMO_PROVINCE = "37"  # Ninh Bình since July 2025 (with the former Nam Định and Hà Nam)


class Command(BaseCommand):
    help = "Load the units and, on an empty database, a demo province with staff accounts."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--persons", type=int, default=20_000)

    def handle(self, *args: object, **options: object) -> None:
        call_command("load_units", stdout=self.stdout)
        call_command("load_supply_reference", stdout=self.stdout)
        call_command("load_vaccination_reference", stdout=self.stdout)
        credentials = settings.VAR_DIR / "demo-login.txt"
        actor = Actor.system("setup_demo")
        if not SignerKey.objects.exists():
            signer_create(actor=actor)
        if not Person.objects.exists():
            province = province_by_code(code=DEMO_PROVINCE)
            self.stdout.write(f"Generating {options['persons']:,} persons in {province.name}…")
            commune_stations_ensure(province=province)
            persons = int(options["persons"])  # type: ignore[call-overload]
            job = population_job_create(actor=actor, unit=province, persons=persons, seed=2025)
            population_job_run(actor=actor, job_id=job.pk)
            self.stdout.write("Vaccination histories of the 2021–2022 campaign, stock, sessions…")
            campaign_generate(actor=actor, unit=province, seed=2025)
            self.stdout.write("Target populations of the communes, from their persons…")
            targets_seed_from_persons(actor=actor, unit=province, on=timezone.localdate())
            self.stdout.write("People overdue for their next dose (the nightly count)…")
            overdue_count(actor=actor, unit=province, on=timezone.localdate())
            commune = self._demo_commune(province)
            self.stdout.write(f"Vaccination certificates of {commune.name}…")
            self._certify(actor, commune)
            self._plan_and_report(actor, province)
            warnings_demo_prepare(actor=actor, commune=commune)
            corrections_demo_prepare(actor=actor, commune=commune)
            if not StaffUser.objects.exists():
                credentials.write_text(self._create_staff(province, commune))
                credentials.chmod(0o600)
        warnings = warnings_run(actor=actor)
        self.stdout.write(f"Warnings raised: {sum(warnings.raised.values())}")
        if credentials.exists():
            self.stdout.write(self.style.SUCCESS("Demo sign-in (user / password):"))
            self.stdout.write(credentials.read_text())

    def _demo_commune(self, province: AdminUnit) -> AdminUnit:
        """The commune of the demo's commune officer."""
        commune = AdminUnit.objects.subtree_of(province).filter(level=UnitLevel.COMMUNE).first()
        assert commune is not None
        return commune

    @transaction.atomic
    def _certify(self, actor: Actor, commune: AdminUnit) -> None:
        """Certificates for the vaccinated residents of the demo commune only: a few hundred
        take a second or two, the whole province's would add a minute or more to the first
        `make run`. Anyone else's is one button away on their page or their session's."""
        vaccinated = Dose.objects.valid().filter(person__home_unit=commune).values("person_id")
        for person in Person.objects.filter(pk__in=vaccinated, merged_into__isnull=True):
            certificate_issue(actor=actor, person=person)

    @transaction.atomic
    def _plan_and_report(self, actor: Actor, province: AdminUnit) -> None:
        """A shipment the province expects next week (the planning page shares it out) and
        its daily report e-mailed each morning (var/outbox without a mail server)."""
        shipment_record(actor=actor, product=Product.objects.get(key="comirnaty"), doses=6000,
                        expected_on=timezone.localdate() + dt.timedelta(days=7), unit=province,
                        reference="PX-VNVC-2025-118")  # fmt: skip
        subscription_create(actor=actor, kind=ReportKind.DAILY, unit=province,
                            recipients="baocao.tiemchung@soyte.ninhbinh.gov.vn")  # fmt: skip

    @transaction.atomic
    def _create_staff(self, province: AdminUnit, commune: AdminUnit) -> str:
        actor = Actor.system("setup_demo")
        lines = []
        for username, role, unit in (
            ("tinh", Role.PROVINCE, province),
            ("xa", Role.COMMUNE, commune),
            ("quantri", Role.NATIONAL_ADMIN, country_root()),
        ):
            password = secrets.token_urlsafe(12)
            staff_create(actor=actor, username=username, password=password, role=role, unit=unit)
            lines.append(f"  {username:8} / {password}   {role.label} — {unit.name}")
        return "\n".join(lines) + "\n"
