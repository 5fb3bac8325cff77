"""Names that say what they are (issue 13 item 6) and the reporting company's particulars
(item 7).

BreachAssessment.preliminary_due held the day-3 *target* and preliminary_warning the real
deadline: the first becomes preliminary_target, then the second takes the name
preliminary_due (in that order, so the names never collide). BreachRule's
preliminary_warning_days becomes preliminary_due_days to match.

The change log keeps entries under the old names, where `preliminary_due` meant the target:
folded in order (core.reconcile) they would make every assessed row differ from its log. So
for each assessment with dates the migration appends one entry stating the values under their
new names (actor "command:migrate"); renaming a column changes no value, so nothing else is
logged.
"""

import django.core.validators
from django.db import migrations, models


def log_renamed_dates(apps, schema_editor):
    using = schema_editor.connection.alias
    Assessment = apps.get_model("incidents", "BreachAssessment")
    rows = list(Assessment.objects.using(using).exclude(
        preliminary_target__isnull=True, preliminary_due__isnull=True).order_by("pk"))
    if not rows:
        return  # a new database: nothing logged under the old names, and no key needed

    from mamori.core.changelog import record_many
    from mamori.core.context import Actor, acting_as

    def day(value):
        return value.isoformat() if value else None

    changes = [("update", row,
                {"preliminary_due": day(row.preliminary_target),
                 "preliminary_warning": day(row.preliminary_due)},
                {"preliminary_target": day(row.preliminary_target),
                 "preliminary_due": day(row.preliminary_due)})
               for row in rows]
    with acting_as(Actor(None, "command:migrate", "command")):
        record_many(changes, using=using)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_import_job"),
        ("incidents", "0003_rules_frozen"),
    ]

    operations = [
        migrations.RenameField(model_name="breachassessment", old_name="preliminary_due",
                               new_name="preliminary_target"),
        migrations.RenameField(model_name="breachassessment", old_name="preliminary_warning",
                               new_name="preliminary_due"),
        migrations.RenameField(model_name="breachrule", old_name="preliminary_warning_days",
                               new_name="preliminary_due_days"),
        migrations.AlterField(
            model_name="breachassessment",
            name="preliminary_target",
            field=models.DateField(editable=False, null=True,
                                   verbose_name="preliminary report: target (about 3 days)"),
        ),
        migrations.AlterField(
            model_name="breachassessment",
            name="preliminary_due",
            field=models.DateField(editable=False, null=True,
                                   verbose_name="preliminary report due"),
        ),
        migrations.AlterField(
            model_name="breachrule",
            name="preliminary_target_days",
            field=models.PositiveSmallIntegerField(
                default=3,
                help_text='The day Mamori aims for; the guideline reads "promptly" as about '
                          "three to five days.",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="preliminary report: target (days, about 3)"),
        ),
        migrations.AlterField(
            model_name="breachrule",
            name="preliminary_due_days",
            field=models.PositiveSmallIntegerField(
                default=5,
                help_text="The real deadline: a preliminary report submitted after this day is "
                          "late.",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="preliminary report due within (days)"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="company_name",
            field=models.CharField(blank=True, max_length=200,
                                   verbose_name="reporting company: name"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="company_address",
            field=models.CharField(blank=True, max_length=300,
                                   verbose_name="reporting company: address"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="company_representative",
            field=models.CharField(blank=True, max_length=200,
                                   verbose_name="reporting company: representative"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="contact_name",
            field=models.CharField(blank=True, max_length=200,
                                   verbose_name="contact person: name"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="contact_department",
            field=models.CharField(blank=True, max_length=200,
                                   verbose_name="contact person: department"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=40,
                                   verbose_name="contact person: phone"),
        ),
        migrations.AddField(
            model_name="incidentsettings",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254,
                                    verbose_name="contact person: e-mail"),
        ),
        migrations.RunPython(log_renamed_dates, migrations.RunPython.noop),
    ]
