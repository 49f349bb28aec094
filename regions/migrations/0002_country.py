from django.db import migrations


def create_country(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Region.objects.get_or_create(code="ID", defaults={"name": "Indonesia", "level": 0, "kind": "negara"})


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(create_country, migrations.RunPython.noop)]
