//! A closed typst world: one template, the caller's files, embedded fonts.
//!
//! Nothing here touches the disk or the network: `read`, `image`, `json` and
//! `import` in a template see only the main file and the files the caller
//! passed, and package imports fail. That keeps a template from leaking server
//! files into a document and makes the output depend only on the input.

use std::collections::HashMap;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use crate::PrintError;
use crate::fonts::FONTS;

pub(crate) struct PrintWorld {
    library: LazyHash<Library>,
    main: Source,
    files: HashMap<FileId, Bytes>,
    sources: HashMap<FileId, Source>,
    today: Datetime,
}

/// The id of a path in the project root.
///
/// Typst interns every path for the life of the process (at most 65 535), so
/// ids are made from fixed names only: never per document.
pub(crate) fn file_id(path: &str) -> Result<FileId, PrintError> {
    let vpath = VirtualPath::new(path).map_err(|_| PrintError::InvalidFileName)?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl PrintWorld {
    pub(crate) fn new(
        library: Library,
        template: &str,
        files: &[(&str, Vec<u8>)],
        today: Datetime,
    ) -> Result<Self, PrintError> {
        let main = Source::new(file_id("/main.typ")?, template.to_owned());
        let mut by_id = HashMap::with_capacity(files.len());
        let mut sources = HashMap::new();
        for (name, data) in files {
            let id = file_id(name)?;
            if id == main.id() {
                return Err(PrintError::InvalidFileName);
            }
            // Shared template parts (a letterhead, say) can be passed as files
            // and imported; they are parsed once here, not on every lookup.
            if name.ends_with(".typ")
                && let Ok(text) = std::str::from_utf8(data)
            {
                sources.insert(id, Source::new(id, text.to_owned()));
            }
            by_id.insert(id, Bytes::new(data.clone()));
        }
        Ok(Self {
            library: LazyHash::new(library),
            main,
            files: by_id,
            sources,
            today,
        })
    }

    pub(crate) fn main_source(&self) -> &Source {
        &self.main
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

impl World for PrintWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::AccessDenied);
        }
        self.sources.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::AccessDenied);
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// The caller's date, whatever the offset: documents are dated by the
    /// request, not by the clock of the machine that prints them.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
