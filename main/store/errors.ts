/**
 * Typed errors of the local store. Each has a stable `code` that services and the CLI can switch on.
 * Messages are plain words for a technician and never contain personal data.
 */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class DatabaseTooNewError extends StoreError {
  override readonly code = 'db_too_new';
  constructor(
    readonly file: string,
    readonly foundVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      'db_too_new',
      `database ${file} is schema version ${foundVersion} but this console only knows up to ${knownVersion}: ` +
        'it was written by a newer hall-console; install that version or newer. The file was not changed.',
    );
  }
}

export class DatabaseNotSqliteError extends StoreError {
  override readonly code = 'db_not_sqlite';
  constructor(readonly file: string) {
    super('db_not_sqlite', `file ${file} is not a SQLite database (bad header). The file was not changed.`);
  }
}

export class FieldDecryptError extends StoreError {
  override readonly code = 'field_decrypt_failed';
  constructor(
    readonly context: string,
    reason: string,
  ) {
    super('field_decrypt_failed', `cannot decrypt field ${context}: ${reason}`);
  }
}

export class KeyFileError extends StoreError {
  constructor(
    code: 'key_file_insecure' | 'key_file_invalid',
    readonly path: string,
    message: string,
  ) {
    super(code, message);
  }
}

export class NotFoundError extends StoreError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity}_not_found`, `${entity} ${id} not found`);
  }
}

export class RowValidationError extends StoreError {
  constructor(
    readonly table: string,
    readonly key: string,
    detail: string,
  ) {
    super('row_invalid', `row ${key} of ${table} does not match its schema: ${detail}`);
  }
}
