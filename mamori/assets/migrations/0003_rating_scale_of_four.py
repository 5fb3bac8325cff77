# The default rating scale goes to 4 so that the four classes of the model rules (極秘/秘/社外秘/公開)
# each have a step. Only the default changes: an existing installation keeps its own scale.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0002_asset_list_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assetsettings',
            name='rating_max',
            field=models.PositiveSmallIntegerField(default=4, help_text='Confidentiality, integrity and availability are rated from 1 to this.', validators=[django.core.validators.MinValueValidator(2), django.core.validators.MaxValueValidator(10)], verbose_name='highest rating'),
        ),
    ]
