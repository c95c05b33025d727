from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Projects and readiness reviews"

    def ready(self):
        # Question threads sit below this app: tell them how to find an item.
        from discussions.subjects import register_subject
        from reviews.selectors.items import item_subject

        register_subject("item", item_subject)
