# Likelihood and impact levels may now carry a criterion in each language. Only the help text
# changes: an empty text keeps meaning the standard levels, which now come with criteria.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('risks', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='riskmethodology',
            name='impact_levels',
            field=models.TextField(blank=True, help_text='One line per level from the lowest, as “name | English name | criterion | English criterion”; empty for the standard levels.', verbose_name='impact levels'),
        ),
        migrations.AlterField(
            model_name='riskmethodology',
            name='likelihood_levels',
            field=models.TextField(blank=True, help_text='One line per level from the lowest, as “name | English name | criterion | English criterion” (e.g. “まれ | Rare | 年1回未満 | Less than once a year”); empty for the standard levels.', verbose_name='likelihood levels'),
        ),
    ]
