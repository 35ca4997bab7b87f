// Compile-time type assertions (the shape of expect-type's expectTypeOf, without the dependency) and a way for a jest
// test to prove its own file type-checks, since ts-jest runs with diagnostics off.
import * as path from 'node:path';
import * as ts from 'typescript';

/** true only when A and B are the same type, not merely assignable one way or the other. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** A failed assertion asks for one more argument of type never, so tsc reports it at the call. */
type Pass<Ok extends boolean> = Ok extends true ? [] : [mismatch: never];

export interface TypeAssertion<Actual> {
  /** Actual and Expected are the same type. */
  toEqualTypeOf<Expected>(...check: Pass<Equal<Actual, Expected>>): void;
  /** A value of type Actual may be used where Expected is wanted. */
  toMatchTypeOf<Expected>(...check: Pass<[Actual] extends [Expected] ? true : false>): void;
  /** A value of type Actual may not be used where Expected is wanted. */
  notToMatchTypeOf<Expected>(...check: Pass<[Actual] extends [Expected] ? false : true>): void;
}

/** expectTypeOf<T>().toEqualTypeOf<U>(): checked by tsc, does nothing at run time. */
export function expectTypeOf<Actual>(_value?: Actual): TypeAssertion<Actual> {
  const nothing = (): void => undefined;
  return { toEqualTypeOf: nothing, toMatchTypeOf: nothing, notToMatchTypeOf: nothing };
}

/** tsc's errors in one file under the repository's tsconfig.json (about 2 s: the checker loads what it imports). */
export function typeErrorsIn(file: string): string[] {
  const root = path.join(__dirname, '..', '..');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram([file], { ...config.options, noEmit: true });
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is not part of the program`);
  return ts.getPreEmitDiagnostics(program, source).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const at = where ? `${path.relative(root, d.file!.fileName)}:${where.line + 1}: ` : '';
    return at + ts.flattenDiagnosticMessageText(d.messageText, ' ');
  });
}
