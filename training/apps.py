from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training: the model loop"

    def ready(self):
        from labeling import hooks

        from .services import documents_added, labels_added

        hooks.on_labels_added(labels_added)
        # Cold start right after an import: order the pool for coverage before any label.
        hooks.on_documents_added(documents_added)
