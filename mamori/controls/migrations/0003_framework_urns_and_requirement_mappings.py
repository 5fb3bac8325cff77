"""Frameworks and requirements get URNs, the identifiers CISO Assistant's libraries give them and
by which a requirement mapping names its requirements; and requirement mappings between
frameworks are recorded (`RequirementMapping`). A shipped framework's URN is derived from its
code (urn:mamori:framework:<code>) and its requirements' from the code and the reference
(urn:mamori:req:<code>:<ref>), in lower case. Those already loaded get theirs here; the change
log gets one update entry per row (actor "command:migrate"), so folding the log
(core.reconcile) gives what the rows hold.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def builtin_urns(apps, schema_editor):
    using = schema_editor.connection.alias
    Framework = apps.get_model("controls", "Framework")
    Requirement = apps.get_model("controls", "Requirement")
    frameworks = list(Framework.objects.using(using).filter(source="built_in", urn="")
                      .order_by("pk"))
    if not frameworks:
        return  # a new database: nothing to derive, and no log key needed
    taken = set(Framework.objects.using(using).exclude(urn="").values_list("urn", flat=True))
    taken |= set(Requirement.objects.using(using).exclude(urn="").values_list("urn", flat=True))
    changes = []
    for framework in frameworks:
        urn = f"urn:mamori:framework:{framework.code}".lower()
        if urn in taken:
            continue  # two codes differing only in case: the second keeps none
        taken.add(urn)
        framework.urn = urn
        framework.save(update_fields=["urn"])
        changes.append(("update", framework, {"urn": ""}, {"urn": urn}))
        rows = Requirement.objects.using(using).filter(framework=framework, urn="").order_by(
            "sort_key", "pk")
        for requirement in rows:
            urn = f"urn:mamori:req:{framework.code}:{requirement.ref}".lower()
            if urn in taken:
                continue  # references differing only in case: the second keeps none
            taken.add(urn)
            requirement.urn = urn
            requirement.save(update_fields=["urn"])
            changes.append(("update", requirement, {"urn": ""}, {"urn": urn}))

    from mamori.core.changelog import record_many
    from mamori.core.context import Actor, acting_as

    with acting_as(Actor(None, "command:migrate", "command")):
        record_many(changes, using=using)


def no_urns(apps, schema_editor):
    """Going back drops the fields; nothing to undo first."""


class Migration(migrations.Migration):

    dependencies = [
        ('controls', '0002_framework_codes_are_slugs'),
    ]

    operations = [
        migrations.CreateModel(
            name='RequirementMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('relationship', models.CharField(choices=[('equal', 'Equal'), ('subset', 'Subset'), ('superset', 'Superset'), ('intersect', 'Intersecting'), ('not_related', 'Not related')], help_text='Read from the source: a subset asks less than the target, a superset more, intersecting requirements overlap in part.', max_length=12, verbose_name='relationship')),
                ('strength', models.PositiveSmallIntegerField(blank=True, help_text='From 1 (weak) to 10 (strong); empty if not rated.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name='strength of the relationship')),
                ('rationale', models.CharField(blank=True, choices=[('syntactic', 'Syntactic'), ('semantic', 'Semantic'), ('functional', 'Functional')], max_length=12, verbose_name='rationale')),
                ('annotation', models.TextField(blank=True, verbose_name='annotation')),
                ('mapping_set', models.CharField(blank=True, default='', editable=False, help_text="The URN of the library's mapping set this mapping came from; empty for a mapping entered by hand. Importing the set again updates it.", max_length=255, verbose_name='mapping set')),
                ('mapping_set_name', models.CharField(blank=True, default='', editable=False, max_length=300, verbose_name='mapping set name')),
            ],
            options={
                'verbose_name': 'requirement mapping',
                'verbose_name_plural': 'requirement mappings',
                'ordering': ['source_id', 'target_id'],
            },
        ),
        migrations.AddField(
            model_name='framework',
            name='urn',
            field=models.CharField(blank=True, default='', editable=False, help_text='The identifier a library gives the framework; empty for a framework entered by hand.', max_length=255, verbose_name='URN'),
        ),
        migrations.AddField(
            model_name='requirement',
            name='urn',
            field=models.CharField(blank=True, default='', editable=False, help_text='The identifier a library gives the requirement, by which mappings between frameworks name it; empty for a requirement entered by hand.', max_length=255, verbose_name='URN'),
        ),
        migrations.AlterField(
            model_name='framework',
            name='source',
            field=models.CharField(choices=[('built_in', 'Shipped with Mamori'), ('oscal', 'Imported OSCAL catalog'), ('library', 'Imported CISO Assistant library'), ('custom', 'Entered by this organisation')], default='custom', max_length=10, verbose_name='source'),
        ),
        migrations.AddConstraint(
            model_name='framework',
            constraint=models.UniqueConstraint(condition=models.Q(('urn', ''), _negated=True), fields=('urn',), name='framework_urn_unique_when_set'),
        ),
        migrations.AddConstraint(
            model_name='requirement',
            constraint=models.UniqueConstraint(condition=models.Q(('urn', ''), _negated=True), fields=('urn',), name='requirement_urn_unique_when_set'),
        ),
        migrations.AddField(
            model_name='requirementmapping',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mappings_from', to='controls.requirement', verbose_name='source requirement'),
        ),
        migrations.AddField(
            model_name='requirementmapping',
            name='target',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mappings_to', to='controls.requirement', verbose_name='target requirement'),
        ),
        migrations.AddIndex(
            model_name='requirementmapping',
            index=models.Index(fields=['mapping_set'], name='requirement_mapping_set'),
        ),
        migrations.AddConstraint(
            model_name='requirementmapping',
            constraint=models.UniqueConstraint(fields=('source', 'target'), name='requirement_mapping_unique_pair'),
        ),
        migrations.RunPython(builtin_urns, no_urns),
    ]
