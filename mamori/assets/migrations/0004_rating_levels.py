# Confidentiality, integrity and availability levels get names and criteria. Existing
# installations get the standard levels for their scale: an empty text means those.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0003_rating_scale_of_four'),
    ]

    operations = [
        migrations.AddField(
            model_name='assetsettings',
            name='rating_levels',
            field=models.TextField(blank=True, help_text='One line per rating from 1, as “name | English name | criterion | English criterion”; empty for the standard levels.', verbose_name='rating levels'),
        ),
    ]
