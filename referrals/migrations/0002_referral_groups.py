"""The national referral mechanism's groups: six regional groups feeding one national group (DESIGN.md §2)."""

from django.db import migrations

NATIONAL = "Den nationale henvisningsgruppe"
REGIONAL = [
    ("nordjylland", "Henvisningsgruppe Nordjylland"),
    ("midtjylland", "Henvisningsgruppe Midtjylland"),
    ("syddanmark", "Henvisningsgruppe Syddanmark"),
    ("nordsjaelland", "Henvisningsgruppe Nordsjælland"),
    ("sydsjaelland", "Henvisningsgruppe Sydsjælland"),
    ("kobenhavn", "Henvisningsgruppe København"),
]


def create_groups(apps, schema_editor):
    ReferralGroup = apps.get_model("referrals", "ReferralGroup")
    national, _created = ReferralGroup.objects.get_or_create(
        kind="national", region="", defaults={"name": NATIONAL}
    )
    for region, name in REGIONAL:
        ReferralGroup.objects.get_or_create(
            region=region, defaults={"name": name, "kind": "regional", "parent": national}
        )


def remove_empty_groups(apps, schema_editor):
    ReferralGroup = apps.get_model("referrals", "ReferralGroup")
    ReferralGroup.objects.filter(members__isnull=True, meetings__isnull=True, topics__isnull=True).filter(
        parent__isnull=False
    ).delete()
    ReferralGroup.objects.filter(
        kind="national", members__isnull=True, meetings__isnull=True, topics__isnull=True, regional_groups=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create_groups, remove_empty_groups)]
