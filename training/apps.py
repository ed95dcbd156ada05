from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training: the model loop"

    def ready(self):
        from labeling.hooks import on_labels_added

        from .services import labels_added

        on_labels_added(labels_added)
