"""Demo verivali data: an approved batch (with its decree) and a batch in the field with
assessments in every state, made through the services so every rule holds."""

from __future__ import annotations

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from clients.images import process_image
from clients.models import Household, RegistryStatus
from verivali import selectors, services
from verivali.models import Assessment, AssessmentPhoto, Batch

# The states of the batch in the field, in the order households are given them.
FIELD_STATES = [
    "submitted",
    "returned",
    "validated",
    "draft",
    "assigned",
    "unassigned",
    "submitted",
    "validated",
]


def _photo(colour: tuple[int, int, int], label: str):
    img = Image.new("RGB", (480, 320), colour)
    draw = ImageDraw.Draw(img)
    draw.rectangle((140, 120, 340, 300), fill=(120, 80, 40))
    draw.polygon([(120, 130), (240, 40), (360, 130)], fill=(150, 40, 40))
    draw.text((10, 10), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return process_image(
        SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png")
    )


def _answers(rng: random.Random, indicators, poor: bool) -> dict[str, int]:
    weights = [4, 4, 2, 1] if poor else [1, 1, 3, 6]
    return {i.code: rng.choices([1, 2, 3, 4], weights=weights)[0] for i in indicators}


def _survey(assessment, surveyor, rng, indicators, *, poor: bool, submit: bool):
    services.survey_save_draft(
        assessment=assessment,
        surveyor=surveyor,
        answers=_answers(rng, indicators, poor),
        notes="Rumah panggung kayu, dekat sungai." if poor else "",
        latitude=None if not submit else round(2.15 + rng.random() / 10, 6),
        longitude=None if not submit else round(117.45 + rng.random() / 10, 6),
        photos={
            AssessmentPhoto.Kind.FRONT: _photo(
                (40, 110, 60), f"KK {assessment.household.kk_number}"
            )
        },
    )
    if submit:
        services.survey_submit(assessment=assessment, surveyor=surveyor)


def seed(*, today: datetime.date, users: dict, rng: random.Random) -> list[Assessment]:
    version = selectors.current_version()
    if version is None:
        return []
    indicators, _bands = selectors.version_parts(version)
    surveyor, surveyor2 = users["surveyor"], users.get("surveyor2", users["surveyor"])
    validator, head = users["validator"], users["kepala"]
    if Batch.objects.filter(code=f"VV-{today.year}-1").exists():
        return []
    households = list(Household.objects.order_by("pk").select_related("village__parent"))
    # complaints (in verification) first: they are why verivali exists
    households.sort(key=lambda h: h.registry_status != RegistryStatus.IN_VERIFICATION)
    if len(households) < 4:
        return []
    approved_part, field_part = households[:3], households[3 : 3 + len(FIELD_STATES)]
    made: list[Assessment] = []

    year = today.year
    earlier = services.batch_create(
        name=f"Verivali Januari–Maret {year}",
        code=f"VV-{year}-1",
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 3, 31),
        kecamatan={h.village.parent for h in approved_part},
        created_by=validator,
    )
    for index, household in enumerate(approved_part):
        assessment = services.batch_add_household(batch=earlier, household=household)
        services.assignments_assign(
            batch=earlier, surveyor=surveyor, assessment_ids=[assessment.pk]
        )
        _survey(assessment, surveyor, rng, indicators, poor=index != 2, submit=True)
        services.assessment_validate(assessment=assessment, validator=validator)
        made.append(assessment)
    services.batch_approve(
        batch=earlier,
        head=head,
        decree_number=f"188.45/{rng.randint(100, 999)}/DINSOS/{year}",
        decree_date=datetime.date(year, 4, 15),
    )

    current = services.batch_create(
        name=f"Verivali {year} tahap 2",
        code=f"VV-{year}-2",
        period_start=datetime.date(year, 4, 1),
        period_end=datetime.date(year, 12, 31),
        kecamatan={h.village.parent for h in field_part},
        created_by=validator,
    )
    for index, (household, state) in enumerate(zip(field_part, FIELD_STATES, strict=False)):
        assessment = services.batch_add_household(batch=current, household=household)
        made.append(assessment)
        if state == "unassigned":
            continue
        who = surveyor if index % 2 == 0 else surveyor2
        services.assignments_assign(batch=current, surveyor=who, assessment_ids=[assessment.pk])
        if state == "assigned":
            continue
        _survey(assessment, who, rng, indicators, poor=index % 3 != 0, submit=state != "draft")
        if state == "returned":
            services.assessment_return(
                assessment=assessment,
                validator=validator,
                note="Foto rumah tampak depan kurang jelas; mohon difoto ulang.",
            )
        elif state == "validated":
            services.assessment_validate(assessment=assessment, validator=validator)
    # A poor household nobody listed, found in the field by the surveyor and sent to the validator.
    found = services.field_household_propose(
        batch=current,
        surveyor=surveyor,
        kk_number=None,
        address="Pondok kebun di tepi sungai",
        village=field_part[0].village,
        members=[
            {"full_name": "Yakobus Ding", "sex": "L", "relationship": "head",
             "birth_date": datetime.date(1979, 8, 17)},
            {"full_name": "Lusia Ding", "sex": "P", "relationship": "spouse",
             "birth_date": datetime.date(1983, 2, 2)},
        ],
    )
    _survey(found, surveyor, rng, indicators, poor=True, submit=True)
    made.append(found)
    return made
