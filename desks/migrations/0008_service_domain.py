from django.db import migrations, models

# The domain of each service Berau had when domains arrived (the same as
# pandu/office/data/services_berau.csv then); a service of another code takes its provider's.
BY_CODE = {
    "DINSOS-UEP": "livelihood",
    "DINSOS-ASLUT": "social_assistance",
    "DINSOS-RTLH": "housing",
    "DISDIK-BSM": "education",
    "DISDIK-BIAYA": "education",
    "DINKES-BEROBAT": "health",
    "DINKES-JAMKESDA": "health",
    "DINKES-PBI": "health",
    "RSUD-RAWAT": "health",
    "DPU-SANITASI": "housing",
    "DKP-ALAT": "livelihood",
    "DISNAK-TERNAK": "livelihood",
    "KPPKB-PP": "protection",
    "KPPKB-KB": "health",
    "BKP-PANGAN": "social_assistance",
    "BAZNAS-MAKMUR": "livelihood",
    "BAZNAS-CERDAS": "education",
    "BAZNAS-SEHAT": "health",
    "BERAUCOAL-OBAT": "health",
    "BERAUCOAL-BEASISWA": "education",
    "BERAUCOAL-RTLH": "housing",
}
BY_PROVIDER = {
    "DINKES": "health",
    "RSUD": "health",
    "DISDIK": "education",
    "DPU": "housing",
    "DKP": "livelihood",
    "DISNAK": "livelihood",
    "KPPKB": "protection",
    "BKP": "social_assistance",
    "DINSOS": "social_assistance",
}


def fill_domains(apps, schema_editor):
    Service = apps.get_model("desks", "Service")
    for service in Service.objects.filter(domain="").select_related("provider"):
        service.domain = BY_CODE.get(service.code) or BY_PROVIDER.get(service.provider.code, "social_assistance")
        service.save(update_fields=["domain"])


class Migration(migrations.Migration):
    """Each service answers needs of one domain (the SLRT's areas): a case's needs assessment
    refers a need to the services of its domain."""

    dependencies = [("desks", "0007_ticket_purpose_priority")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="domain",
            field=models.CharField(
                choices=[
                    ("health", "Health"),
                    ("education", "Education"),
                    ("social_assistance", "Social assistance"),
                    ("housing", "Housing"),
                    ("livelihood", "Livelihood"),
                    ("civil_documents", "Civil documents"),
                    ("protection", "Protection"),
                ],
                default="",
                help_text="The area of need it answers: a case's needs of this domain can be referred to it.",
                max_length=20,
                verbose_name="domain",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_domains, migrations.RunPython.noop),
    ]
