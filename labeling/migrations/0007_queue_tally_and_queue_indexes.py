"""The queue's hot path: running figures per project, leases that know their project, and indexes
whose top is the next document in either order (see labeling.services.queue)."""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import labeling.models


def leases_take_their_documents_project(apps, schema_editor):
    Lease = apps.get_model("labeling", "Lease")
    Document = apps.get_model("labeling", "Document")
    Lease.objects.update(project=Subquery(Document.objects.filter(pk=OuterRef("document_id")).values("project_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('labeling', '0006_project_masked_entity_types'),
    ]

    operations = [
        migrations.CreateModel(
            name='QueueTally',
            fields=[
                ('project', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='tally', serialize=False, to='labeling.project')),
                ('labels_used', models.IntegerField(default=0, help_text="Annotators' labels (not imported seed labels): the budget's use.")),
                ('open_leases', models.IntegerField(default=0)),
                ('leases_served', models.IntegerField(default=0)),
                ('evaluation_served', models.IntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='document',
            name='document_queue_order',
        ),
        migrations.RemoveIndex(
            model_name='document',
            name='document_random_order',
        ),
        migrations.AddIndex(
            model_name='document',
            index=labeling.models.NullsLastIndex(fields=['project', 'state', 'evaluation', '-priority', 'random_key', 'id'], name='document_queue_next'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['project', 'state', '-evaluation', 'random_key', 'id'], name='document_evaluation_next'),
        ),
        migrations.AddField(
            model_name='lease',
            name='project',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='labeling.project'),
        ),
        migrations.RunPython(leases_take_their_documents_project, migrations.RunPython.noop),
    ]
