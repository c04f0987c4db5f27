// The last line of defence: if anything in the Data step fails to render, say so in an alert instead of
// blanking the page. Stored datasets are untouched; reloading the page starts the step again.
import { Component, type ReactNode } from 'react';

export class DataErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) {
      return (
        <div role="alert" className="alert">
          The Data step failed: {this.state.error.message}. Your stored datasets are safe; reload the page to
          continue.
        </div>
      );
    }
    return this.props.children;
  }
}
