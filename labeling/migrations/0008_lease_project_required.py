"""Every lease names its project (0007 filled it in; a separate transaction, so PostgreSQL has no
pending foreign-key checks from that update while the column changes)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('labeling', '0007_queue_tally_and_queue_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='lease',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='labeling.project'),
        ),
        migrations.AlterField(
            model_name='lease',
            name='expires_at',
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name='lease',
            index=models.Index(fields=['project', 'expires_at'], name='lease_expiry'),
        ),
        migrations.AddIndex(
            model_name='lease',
            index=models.Index(fields=['project', 'annotator', 'created_at'], name='lease_holder'),
        ),
    ]
