"""Demo households and persons of Berau: Indonesian names, valid Berau NIKs, every registry status."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clients.changes import person_move, person_record_birth
from clients.duplicates.detection import duplicates_check
from clients.models import (
    Complaint,
    Household,
    Person,
    PMKSCategory,
    Programme,
    Region,
    RegistryStatus,
)
from clients.nik import make_nik
from clients.programmes import participation_record
from clients.services import complaint_due_on, complaint_file, complaint_set_status

MALE = [
    "Ahmad Fauzi", "Muhammad Rizki", "Abdul Rahman", "Budi Santoso", "Suparman", "Hendra Gunawan",
    "Rudi Hartono", "Andi Syamsuddin", "Yohanes Lahang", "Agus Salim", "Daeng Matasa", "Slamet Riyadi",
    "Baharuddin", "Ilham Akbar", "Joko Susilo", "Samsul Bahri", "Yosef Ding", "Taufik Hidayat",
    "Wahyu Nugroho", "Rahmat Hidayat", "Syahrani", "Fransiskus Lawing", "Irwan Setiawan", "Hamzah",
]
FEMALE = [
    "Siti Aminah", "Nurhayati", "Sri Wahyuningsih", "Dewi Lestari", "Rahmawati", "Fatimah",
    "Masitah", "Yuliana Hanyeq", "Kartini", "Nur Aisyah", "Suryani", "Halimah", "Maria Ulfa",
    "Lusiana Uvang", "Ratna Sari", "Jumiati", "Rosmiati", "Hasnah", "Wulandari", "Salmah",
]
CHILD_M = ["Muhammad Alif", "Rizky Ramadhan", "Dimas Saputra", "Fajar", "Arya", "Yusuf"]
CHILD_F = ["Nayla Putri", "Aisyah", "Salsabila", "Zahra", "Citra", "Anisa"]
STREETS = ["Jl. Pemuda", "Jl. Durian", "Jl. Cendana", "Jl. Sultan Agung", "Jl. Gatot Subroto",
           "Jl. Murjani", "Jl. Mangga", "Jl. Bujangga", "Gg. Harapan", "Jl. Pulau Panjang"]
OCCUPATIONS = ["Buruh harian", "Nelayan", "Petani", "Pedagang kecil", "Tidak bekerja", "Ibu rumah tangga"]
EDUCATION = ["Tidak sekolah", "SD", "SMP", "SMA", "Tidak tamat SD"]

# Disabilities as the records write them, with their kinds and severity; the last could not be
# read into kinds and waits on the data officer's list "Disabilities to review".
DISABILITIES = [
    ("Tunadaksa (kaki kiri)", ["physical"], ""),
    ("Tunanetra", ["sight"], "severe"),
    ("Tunarungu wicara", ["hearing", "speech"], "moderate"),
    ("Gangguan jiwa (ODGJ)", ["mental"], ""),
    ("Lumpuh dan tunagrahita", ["physical", "intellectual"], "severe"),
    ("Sakit-sakitan sejak kecil, sulit bekerja", [], ""),
]

SOURCES = [
    (RegistryStatus.LISTED, "PPLS2011", 2011),
    (RegistryStatus.LISTED, "DTKS", 2015),
    (RegistryStatus.IN_VERIFICATION, "", None),
    (RegistryStatus.NOT_LISTED, "", None),
]


def _birth(rng: random.Random, today: datetime.date, min_age: int, max_age: int) -> datetime.date:
    age_days = rng.randint(min_age * 365, max_age * 365)
    return today - datetime.timedelta(days=age_days)


def seed(*, today: datetime.date, households: int = 60, rng: random.Random) -> list[Household]:
    villages = list(Region.objects.filter(level__in=Region.VILLAGE_LEVELS).select_related("parent"))
    # Most clients come from the town; the rest spread over the kampung.
    town = [v for v in villages if v.parent.code in {"64.03.05", "64.03.06", "64.03.09"}]
    pmks = {c.code: c for c in PMKSCategory.objects.all()}
    serial = 1
    created: list[Household] = []
    for index in range(households):
        village = rng.choice(town if index % 3 else villages)
        kecamatan = village.parent
        status, source, year = SOURCES[index % len(SOURCES)] if index % 5 else SOURCES[0]
        kk = f"{kecamatan.code.replace('.', '')}{(index % 28) + 1:02d}{(index % 12) + 1:02d}{(10 + index % 14):02d}{index + 1:04d}"
        household = Household.objects.create(
            kk_number=kk,
            address=f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}",
            rt=f"{rng.randint(1, 30):03d}",
            rw=f"{rng.randint(1, 8):03d}",
            village=village,
            registry_status=status,
            registry_source=source,
            registry_year=year,
        )
        members = []
        head_sex = "P" if index % 6 == 0 else "L"
        head_birth = _birth(rng, today, 28, 78)
        members.append((rng.choice(MALE if head_sex == "L" else FEMALE), head_sex, head_birth, Person.Relationship.HEAD))
        if head_sex == "L" and index % 4:
            members.append((rng.choice(FEMALE), "P", _birth(rng, today, 25, 70), Person.Relationship.SPOUSE))
        for _child in range(rng.randint(0, 4)):
            sex = rng.choice("LP")
            members.append((rng.choice(CHILD_M if sex == "L" else CHILD_F), sex, _birth(rng, today, 0, 22),
                            Person.Relationship.CHILD))
        for position, (name, sex, birth, relationship) in enumerate(members):
            disabled = (index % 11 == 3 and position == 0) or (index % 13 == 6 and position == len(members) - 1)
            words, kinds, severity = DISABILITIES[index % len(DISABILITIES)] if disabled else ("", [], "")
            without_nik = index % 17 == 5 and position == len(members) - 1 and position > 0
            person = Person.objects.create(
                household=household,
                nik=None if without_nik else make_nik(kecamatan_code=kecamatan.code, birth_date=birth, sex=sex, serial=serial),
                no_nik_reason="Bayi baru lahir, belum direkam Disdukcapil" if without_nik else "",
                full_name=name,
                sex=sex,
                birth_place=rng.choice(["Tanjung Redeb", "Berau", "Samarinda", "Talisayan", "Gunung Tabur"]),
                birth_date=birth,
                relationship=relationship,
                education=rng.choice(EDUCATION) if relationship != Person.Relationship.CHILD else "",
                occupation=rng.choice(OCCUPATIONS) if relationship == Person.Relationship.HEAD else "",
                disability=words,
                disability_kinds=kinds,
                disability_severity=severity,
                disability_to_review=bool(words) and not kinds,
                chronic_illness="Diabetes" if index % 9 == 4 and position == 0 else "",
                phone=f"08{rng.randint(11, 59)}{rng.randint(10000000, 99999999)}" if position == 0 else "",
            )
            serial += 1
            if status == RegistryStatus.LISTED and position == 0:
                person.pmks_categories.add(pmks["FM"])
            if (today - birth).days > 60 * 365 and index % 2:
                person.pmks_categories.add(pmks["LUT"])
            if person.disability:
                person.pmks_categories.add(pmks["PD"])
        # Registered over the last year and a half, so each month has its registrations.
        registered = timezone.now() - datetime.timedelta(days=(index * 37) % 540, hours=index % 9)
        Household.objects.filter(pk=household.pk).update(created_at=registered)
        Person.objects.filter(household=household).update(created_at=registered)
        created.append(household)
    return created


def _one_digit_off(nik: str) -> str:
    """The NIK with its last digit mistyped, one no one holds."""
    for step in range(1, 10):
        typo = f"{nik[:15]}{(int(nik[15]) + step) % 10}"
        if not Person.objects.filter(nik=typo).exists():
            return typo
    raise ValueError(nik)


def seed_duplicates(*, households: list[Household]) -> int:
    """Two persons registered twice, as happens: one imported again with a NIK one digit off
    (a likely duplicate), one registered at the desk without NIK with the words of the name
    run together (a possible one); then the duplicate check, so the data officer's review
    queue has them. Returns the pairs found."""
    heads = [h.members.filter(relationship=Person.Relationship.HEAD, nik__isnull=False).first() for h in households[:6]]
    heads = [head for head in heads if head is not None and " " in head.full_name][:2]
    for number, original in enumerate(heads):
        household = Household.objects.create(
            address=original.household.address, rt=original.household.rt, rw=original.household.rw,
            village=original.household.village, registry_status=RegistryStatus.NOT_LISTED,
        )
        nik = _one_digit_off(original.nik) if number == 0 else None
        Person.objects.create(
            household=household, nik=nik, no_nik_reason="" if nik else "KTP tertinggal di rumah",
            full_name=original.full_name if number == 0 else original.full_name.replace(" ", ""),
            sex=original.sex, birth_place=original.birth_place, birth_date=original.birth_date,
            relationship=Person.Relationship.HEAD, phone=original.phone,
        )
    return len(duplicates_check().found)


def seed_complaints(*, households: list[Household], data_officer, front_desk) -> list:
    """A few complaints at the data desk: one open per kind, one resolved."""

    not_listed = [h for h in households if h.registry_status == RegistryStatus.NOT_LISTED]
    listed = [h for h in households if h.registry_status == RegistryStatus.LISTED]
    made = []
    if not_listed:
        made.append(complaint_file(
            kind=Complaint.Kind.NOT_IN_DATABASE, household=not_listed[0], received_by=front_desk,
            complainant_name=not_listed[0].members.first().full_name if not_listed[0].members.exists() else "",
            description="Keluarga miskin, rumah papan tanpa listrik, belum terdaftar di DTKS.",
        ))
    if listed:
        made.append(complaint_file(
            kind=Complaint.Kind.WRONG_DATA, household=listed[0], received_by=data_officer,
            description="Alamat di data terpadu masih alamat lama; keluarga sudah pindah RT.",
        ))
    made.append(complaint_file(
        kind=Complaint.Kind.SERVICE_COMPLAINT, received_by=front_desk, complainant_name="Ibu Rosmiati",
        complainant_phone="081350001122", description="Menunggu terlalu lama di loket Dinas Kesehatan.",
    ))
    complaint_set_status(complaint=made[-1], status=Complaint.Status.RESOLVED, officer=data_officer,
                         resolution="Loket Dinkes ditambah satu petugas pada hari Senin.")
    if listed:  # received two months ago and still open: the overdue list and the home pages show it
        _received_days_ago(made[1], 60)
    return made


def _received_days_ago(complaint: Complaint, days: int) -> None:
    """Move a demo complaint back in time, its due date (in working days) and history with it."""
    shift = datetime.timedelta(days=days)
    received = complaint.created_at - shift
    Complaint.objects.filter(pk=complaint.pk).update(
        created_at=received, due_on=complaint_due_on(kind=complaint.kind, received_on=timezone.localdate(received)))
    for event in complaint.events.all():
        event.at -= shift
        event.save(update_fields=["at"])


def seed_programmes(*, households: list[Household], today: datetime.date, front_desk) -> int:
    """What the demo families receive (PKH and BPNT for some listed households, PBI-JKN for their
    members, KIP for school children), their national identifiers and deciles, and a birth and a
    move recorded at the desk: the person pages, the eligibility answers and the national
    proposals page have something to show."""
    programmes = {p.code: p for p in Programme.objects.all()}
    made = 0
    listed = [h for h in households if h.registry_status == RegistryStatus.LISTED]
    for index, household in enumerate(listed):
        household.national_id = f"DTKS-{household.kk_number[-8:]}"
        household.decile, household.decile_as_of = 1 + index % 6, today.replace(month=1, day=1)
        household.save(update_fields=["national_id", "decile", "decile_as_of", "updated_at"])
        codes = ["PKH", "BPNT"] if index % 3 == 0 else ["BPNT"] if index % 3 == 1 else []
        for code in codes:
            participation_record(programme=programmes[code], household=household, starts_on=datetime.date(2024, 1, 1),
                                 source="KEMENSOS", as_of=today.replace(day=1))
            made += 1
        for person in household.members.all():
            if index % 2 == 0:
                participation_record(programme=programmes["PBI-JKN"], person=person,
                                     starts_on=datetime.date(2023, 1, 1), source="DINKES", as_of=today.replace(day=1))
                made += 1
            if person.relationship == Person.Relationship.CHILD and person.age is not None and 6 <= person.age <= 18:
                participation_record(programme=programmes["KIP"], person=person, starts_on=datetime.date(2025, 7, 1),
                                     ends_on=datetime.date(today.year + 1, 6, 30), source="DISDIK",
                                     as_of=today.replace(day=1))
                made += 1
    if len(households) > 2:
        person_record_birth(household=households[1], full_name="Bayi Nur Aisyah", sex="P",
                            birth_date=today - datetime.timedelta(days=12), birth_place="Tanjung Redeb",
                            changed_by=front_desk, note="Surat keterangan lahir RSUD")
        mover = households[2].members.exclude(relationship=Person.Relationship.HEAD).first()
        if mover is not None:
            person_move(person=mover, to_household=households[0], relationship=Person.Relationship.OTHER_RELATIVE,
                        on=today - datetime.timedelta(days=3), changed_by=front_desk, note="Ikut keluarga paman")
    return made
