"""The Model service: train on examples, answer messages, predict, evaluate."""

from hypotez.services.model.datasets import DatasetError, Example
from hypotez.services.model.jobs import Job
from hypotez.services.model.service import ModelService, Prediction

__all__ = ["ModelService", "Job", "Example", "DatasetError", "Prediction"]
