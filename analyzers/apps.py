from django.apps import AppConfig


class AnalyzersConfig(AppConfig):
    name = "analyzers"
    verbose_name = "Access Analyzer (analyzers and findings)"
