from webapp.schemas.task import TaskCreate, TaskResponse, TaskUpdate

__all__ = ["TaskCreate", "TaskResponse", "TaskUpdate"]
