from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training: the model loop"

    def ready(self):
        from labeling import hooks

        from . import listeners

        hooks.on_labels_added(listeners.labels_added)
        # After an import: cold start before any model, else embed and score just the new documents.
        hooks.on_documents_added(listeners.documents_added)
