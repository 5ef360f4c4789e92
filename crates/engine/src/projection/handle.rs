//! How queries reach a read model: through a handle that always points at the current copy.
//!
//! An online rebuild replaces the whole read model instance. Callers therefore never keep the
//! instance itself; they ask the [`ProjectionHandle`] for it on every query and get an
//! `Arc<T>`. The swap replaces the pointer under a short write lock, so a query that already
//! holds the old copy finishes on it undisturbed and the next query sees the new one.

use std::sync::Arc;

use parking_lot::RwLock;
use ticketflow_projections::ReadModel;

use super::error::ProjectionError;
use super::progress::Status;

/// Builds a fresh, empty instance of one read model, or `None` when it cannot.
pub(crate) type Factory<T> = Box<dyn Fn() -> Option<Arc<T>> + Send + Sync>;

/// A read model as queries see it: the current copy, whichever that is after rebuilds.
///
/// `T` is the concrete read model type (so queries can call its own methods), or
/// `dyn ReadModel` for read models registered without their type. Cloning is cheap.
pub struct ProjectionHandle<T: ?Sized> {
    cell: Arc<RwLock<Arc<T>>>,
    status: Arc<Status>,
}

impl<T: ?Sized> Clone for ProjectionHandle<T> {
    fn clone(&self) -> Self {
        ProjectionHandle {
            cell: self.cell.clone(),
            status: self.status.clone(),
        }
    }
}

impl<T: ?Sized> std::fmt::Debug for ProjectionHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectionHandle")
            .field("name", &self.status.name)
            .field("position", &self.status.position())
            .finish()
    }
}

impl<T: ?Sized + ReadModel> ProjectionHandle<T> {
    /// The copy that answers queries now. Hold it for one query, then ask again: after an
    /// online rebuild the next call returns the new copy.
    pub fn current(&self) -> Arc<T> {
        self.cell.read().clone()
    }

    /// The global position of the last event the current copy reflects, so a caller can tell
    /// whether its own write is visible yet.
    ///
    /// The position is published right after an event is applied, so a position read
    /// *before* a query is one the query's answer reflects at least. To wait for a position,
    /// use [`super::ProjectionRunner::wait_for`].
    pub fn position(&self) -> u64 {
        self.status.position()
    }

    /// The read model's name.
    pub fn name(&self) -> &'static str {
        self.status.name
    }
}

/// A fresh instance built for a rebuild, not yet serving queries.
pub(crate) struct Shadow {
    pub model: Arc<dyn ReadModel>,
    install: Box<dyn FnOnce() + Send>,
}

impl Shadow {
    /// Makes this instance the one queries get.
    pub fn install(self) {
        (self.install)()
    }
}

/// The runner's type-erased view of one registered read model.
pub(crate) trait Slot: Send + Sync {
    fn status(&self) -> &Arc<Status>;
    fn current(&self) -> Arc<dyn ReadModel>;
    fn fresh(&self) -> Result<Shadow, ProjectionError>;
}

struct TypedSlot<T: ?Sized> {
    cell: Arc<RwLock<Arc<T>>>,
    factory: Factory<T>,
    erase: fn(Arc<T>) -> Arc<dyn ReadModel>,
    status: Arc<Status>,
}

impl<T: ?Sized + ReadModel> Slot for TypedSlot<T> {
    fn status(&self) -> &Arc<Status> {
        &self.status
    }

    fn current(&self) -> Arc<dyn ReadModel> {
        (self.erase)(self.cell.read().clone())
    }

    fn fresh(&self) -> Result<Shadow, ProjectionError> {
        let name = self.status.name;
        let factory_error = |detail: String| ProjectionError::Factory {
            name: name.to_owned(),
            detail,
        };
        let instance =
            (self.factory)().ok_or_else(|| factory_error("it built nothing".to_owned()))?;
        if instance.name() != name || instance.version() != self.status.version {
            return Err(factory_error(format!(
                "it built `{}` version {} instead of version {}",
                instance.name(),
                instance.version(),
                self.status.version
            )));
        }
        let cell = self.cell.clone();
        let model = (self.erase)(instance.clone());
        Ok(Shadow {
            model,
            install: Box::new(move || *cell.write() = instance),
        })
    }
}

/// Builds the first instance and the slot/handle pair for it.
pub(crate) fn slot<T: ?Sized + ReadModel>(
    factory: Factory<T>,
    erase: fn(Arc<T>) -> Arc<dyn ReadModel>,
) -> Result<(Box<dyn Slot>, ProjectionHandle<T>), ProjectionError> {
    let first = factory().ok_or_else(|| ProjectionError::Factory {
        name: "(unknown)".to_owned(),
        detail: "it built nothing".to_owned(),
    })?;
    let status = Arc::new(Status::new(first.name(), first.version()));
    let cell = Arc::new(RwLock::new(first));
    let handle = ProjectionHandle {
        cell: cell.clone(),
        status: status.clone(),
    };
    let slot = TypedSlot {
        cell,
        factory,
        erase,
        status,
    };
    Ok((Box::new(slot), handle))
}
