"""The Model service: train on examples, answer messages, predict, evaluate."""

from hypotez.services.model.base import ModelService, Prediction, TenantModelState
from hypotez.services.model.datasets import DatasetError, Example
from hypotez.services.model.factory import create_model_service
from hypotez.services.model.jobs import Job

__all__ = ["ModelService", "TenantModelState", "Job", "Example", "DatasetError", "Prediction",
           "create_model_service"]
